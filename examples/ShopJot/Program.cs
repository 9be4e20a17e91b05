using ShopJot;

return await ShopJotRun.RunAsync(args);
