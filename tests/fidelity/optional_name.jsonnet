// The docs' template shape: fails for identities without the optional name trait.
function(ctx) {
  userId: ctx.identity.id,
  traits: { email: ctx.identity.traits.email, name: ctx.identity.traits.name },
}
