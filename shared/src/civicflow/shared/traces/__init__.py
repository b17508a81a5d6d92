"""Reading a submission's trace back: the waterfall of its spans, from the Jaeger query API's JSON."""
