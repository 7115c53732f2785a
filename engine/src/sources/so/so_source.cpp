// placeholder until the .so loader lands
