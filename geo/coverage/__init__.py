"""Coverage: resident points, distances to the nearest voorziening, figures and gap polygons."""
