// A cancel whose message is computed, and one only for test accounts.
function(ctx)
  local email = ctx.identity.traits.email;
  if std.endsWith(email, '@test.invalid') then error 'cancel: test account ' + email
  else if !std.objectHas(ctx.identity.traits, 'name') then error 'cancel' + ': no name'
  else { userId: ctx.identity.id }
