"""Small helpers every stage uses: atomic files and hashes, text folding, tables and numbers."""
