"""The printable wijkprofiel page (HTML, A4 print CSS) and its PDF, from :mod:`geo.profiel`."""
