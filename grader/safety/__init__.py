"""Running untrusted code: the sandbox, the kernel launcher, the in-kernel probe, the integrity report,
repair and the output cap.

Nothing here imports grader.grading: these modules know a kernel and a notebook, never a class.
"""
