"""What-if questions planners ask: placement (MCLP, p-median), closures, presence norms.

A stage like the others: arrays and frames in, results out; it chains no other stage
(:mod:`geo.pipeline` does, in its what-if section).
"""
