"""The embedded demo: a credit model, its training data and a day of traffic with incidents."""
