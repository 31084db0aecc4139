BsxJ
ף<