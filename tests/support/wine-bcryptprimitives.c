/* A stand-in for Windows' bcryptprimitives.dll, for Wine 8.0 (Debian 12), which has none.
 * Rust's standard library takes its random numbers from ProcessPrng there (Windows 10 and
 * later have it); this one forwards to RtlGenRandom (advapi32's SystemFunction036), which
 * Wine has. tests/platforms.rs builds it with mingw-w64 into the Wine prefix's system32:
 *   x86_64-w64-mingw32-gcc -O2 -shared -o bcryptprimitives.dll THIS.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
    if (!SystemFunction036(data, n)) {
      return FALSE;
    }
    data += n;
    length -= n;
  }
  return TRUE;
}
