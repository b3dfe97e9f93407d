"""Job-board HTML sources: a crawler that lands pages, and a pure parser over them."""
