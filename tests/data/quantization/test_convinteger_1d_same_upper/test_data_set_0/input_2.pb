BzxJ
