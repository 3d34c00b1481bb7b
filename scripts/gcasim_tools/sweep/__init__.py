"""scripts/sweep by concern (docs/sweeps.md):

    spec     the JSON spec: read, checked (errors name the key), expanded into points
    points   each point's command line, config hash and state (done, missing, failed, stale, ...)
    runner   one point in its folder (`scripts/sweep --run-point`), run.json written last
    local    the local backend: point runners in parallel
    slurm    the Slurm backend: one sbatch job array, followed through squeue
    results  results.csv, a row per point
    plot     results.png
    progress the progress line on a terminal (points done, rate, time left)
    session  one invocation: run what is not done, retry, gather, plot, report
    values   how values are written (--set, CSV, labels)
"""
