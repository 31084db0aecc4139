
BsJf.%€G