// Multi-line strings: a chomped text block (|||-, no final newline) and a plain one.
function(ctx)
  local traits = ctx.identity.traits;
  {
    userId: ctx.identity.id,
    traits: {
      email: traits.email,
      signature: |||-
        Registered through Ory
        (backfilled)
      |||,
      note: |||
        plain block keeps its newline
      |||,
      chomped_join: |||-
        a
      ||| + '|' + |||-
        b
      |||,
      literal: '|||- stays in a string',
    },
  }
