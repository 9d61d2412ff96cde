// Named arguments, defaults and local functions, as template authors write them.
local trait(ctx, name, default=null) = std.get(ctx.identity.traits, name, default);
local event(name, props={}) = { event: name, properties: props };
function(ctx, extra={}) event(
  name='Signed Up',
  props={
    userId: ctx.identity.id,
    plan: trait(ctx, 'plan', default='free'),
    newsletter: trait(ctx, 'consent', {}).newsletter,
    method: std.get(ctx.flow, 'active', 'unknown'),
    extra: extra,
    sorted: std.sort(['b', 'a', 'c']),
    uniq: std.uniq([1, 1, 2]),
    mapped: std.map(function(x) x * 2, [1, 2, 3]),
    filtered: std.filter(function(x) x > 1, [1, 2, 3]),
    folded: std.foldl(function(acc, x) acc + x, [1, 2, 3], 0),
    obj: std.mapWithKey(function(k, v) std.length(v), { a: 'xx', b: 'yyy' }),
    fields: std.objectFields({ z: 1, a: 2 }),
    hasName: std.objectHas(ctx.identity.traits, 'name'),
    member: std.member(['a', 'b'], 'b'),
  }
) + { userId: ctx.identity.id }
