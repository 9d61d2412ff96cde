// Errors that mention cancel but are not cancels in Kratos: the hook fails.
function(ctx)
  if std.objectHas(ctx.identity.traits, 'name') then error 'please cancel this one'
  else error { reason: 'cancel' }
