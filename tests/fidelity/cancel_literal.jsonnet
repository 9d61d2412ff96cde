// Cancels for users without newsletter consent, with a literal message.
function(ctx)
  if !std.get(std.get(ctx.identity.traits, 'consent', {}), 'newsletter', false) then
    error 'cancel: no newsletter consent'
  else { userId: ctx.identity.id, traits: { email: ctx.identity.traits.email } }
