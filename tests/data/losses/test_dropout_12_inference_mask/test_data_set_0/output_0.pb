ByJJu¾úN¿z
@kOA¾G=ü3?