// First and last name from one "name" trait, which may be missing or a single word.
function(ctx)
  local traits = ctx.identity.traits;
  local full = std.get(traits, 'name', '');
  local name = if std.isObject(full) then std.join(' ', std.prune([std.get(full, 'first'), std.get(full, 'last')])) else full;
  local parts = std.split(std.stripChars(name, ' '), ' ');
  {
    userId: ctx.identity.id,
    traits: {
      email: std.asciiLower(traits.email),
      firstName: if std.length(parts) > 0 && parts[0] != '' then parts[0] else null,
      lastName: if std.length(parts) > 1 then std.join(' ', parts[1:]) else null,
      initials: std.join('', [std.asciiUpper(p[0]) for p in parts if std.length(p) > 0]),
    },
  }
