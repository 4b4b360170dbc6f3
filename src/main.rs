fn main() -> std::process::ExitCode {
    portside::malloc::tune();
    portside::cli::main()
}
