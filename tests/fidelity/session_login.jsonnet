// A login hook: session details next to the identity, when Kratos passes them.
function(ctx)
  local session = std.get(ctx, 'session', {});
  {
    userId: ctx.identity.id,
    event: 'Logged In',
    properties: {
      aal: std.get(session, 'authenticator_assurance_level', null),
      methods: [m.method for m in std.get(session, 'authentication_methods', [])],
      devices: std.length(std.get(session, 'devices', [])),
      userAgent: std.get(ctx.request_headers, 'User-Agent', [''])[0],
      flowType: ctx.flow.type,
      url: ctx.request_url,
    },
  }
