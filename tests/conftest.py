"""Test-wide settings."""

import os

# The statistics work on small matrices; on a 2-core machine BLAS threads only contend. Must be set
# before numpy is first imported, which is why it lives here rather than in a fixture.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
