"""The monitoring cycle: CBS figures over the years, coverage snapshots, own indicators and the
wijkprofiel built from them (per zone, wijk and gemeente)."""
