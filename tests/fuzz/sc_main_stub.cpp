// The harnesses link the platform library, whose libsystemc needs an sc_main symbol; the main()
// used is libFuzzer's or replay_main.cpp's, so this is never called.
extern "C" int sc_main(int, char**)
{
    return 1;
}
