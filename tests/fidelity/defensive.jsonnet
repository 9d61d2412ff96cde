// Optional traits read defensively, and metadata that only some identities have.
function(ctx)
  local t = ctx.identity.traits;
  local meta = std.get(ctx.identity, 'metadata_public');
  {
    userId: ctx.identity.id,
    traits: {
      email: t.email,
      [if std.objectHas(t, 'name') then 'name']: t.name,
      newsletter: std.get(std.get(t, 'consent', {}), 'newsletter', false),
      plan: if meta == null then 'free' else std.get(meta, 'plan', 'free'),
      state: std.get(ctx.identity, 'state', 'active'),
      verified: std.length([a for a in std.get(ctx.identity, 'verifiable_addresses', []) if a.verified]) > 0,
    },
  }
