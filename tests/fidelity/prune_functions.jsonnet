// std.prune of a value with a function inside it: go-jsonnet keeps the function (it is
// neither null nor empty); here std.prune runs natively on the value's JSON, and a function
// cannot be manifested (a known difference, docs/fidelity.md).
function(ctx)
  local helpers = std.prune({ greet(name):: 'Hello ' + name, shout: function(s) s + '!' });
  {
    userId: ctx.identity.id,
    traits: { greeting: helpers.shout(ctx.identity.traits.email) },
  }
