"""Helpers shared by the scripts of scripts/ (and by Python tests that need the same things).

    files      atomic writes (readers see the old file or the new one), reading a file's tail
    platforms  where the repository and the platform binaries are; running a platform and reading
               its summary.json
    machine    what a measurement ran on: CPU model, git revision
    errors     the scripts' one-line "NAME: error: ..." exit
    checks     what the Python checks under tests/ share (required binaries, memory cap, case report)
    sweep      the parts of scripts/sweep (spec, points, point runner, backends, results, plot)

The scripts import it from their own folder (Python puts a script's folder first on sys.path).
"""
