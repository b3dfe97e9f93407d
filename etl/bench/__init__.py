"""Scale benchmark of the vacancy pipeline (``lmis bench``): generator, stages, limit, report."""
