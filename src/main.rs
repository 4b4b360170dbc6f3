fn main() -> std::process::ExitCode {
    portside::cli::main()
}
