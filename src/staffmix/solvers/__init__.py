"""Solving: the dispatcher (`solve`), the PuLP backends, the fast core (core/), the pre-solve and infeasibility
diagnosis, answering deferrable work early, and the MPS export."""
