"""Response models, separate from the domain frames; tests validate bodies against them."""
