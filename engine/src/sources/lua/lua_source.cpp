// placeholder until the Lua host lands
