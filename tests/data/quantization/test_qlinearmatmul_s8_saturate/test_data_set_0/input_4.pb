BsbJ
×#=