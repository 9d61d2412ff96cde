// go-jsonnet v0.21's std.removeAt (and std.remove, built on it) shifts the elements of the
// array it was given: reading that array again afterwards shows the change.
function(ctx)
  local roles = ['admin', 'editor', 'viewer'];
  local others = std.removeAt(roles, 0);
  { userId: ctx.identity.id, traits: { others: others, roles: roles } }
