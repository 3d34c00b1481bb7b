// Catch2 executables that link the platform library pull in libsystemc, whose own main() needs
// an sc_main symbol. Catch2's main() is the one used; this sc_main is never called.
extern "C" int sc_main(int, char**)
{
    return 1;
}
