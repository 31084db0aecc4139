BswJ
×#<