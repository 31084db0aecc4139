BsxJ
×#=