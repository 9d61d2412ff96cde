// Timestamps: created_at passed through, split into parts, and a date-only form.
function(ctx)
  local created = std.get(ctx.identity, 'created_at', '1970-01-01T00:00:00Z');
  local date = std.split(created, 'T')[0];
  local parts = std.split(date, '-');
  {
    userId: ctx.identity.id,
    timestamp: created,
    traits: {
      createdDate: date,
      year: std.parseInt(parts[0]),
      month: std.parseInt(parts[1]),
      quarter: 'Q%d' % (std.floor((std.parseInt(parts[1]) - 1) / 3) + 1),
      flowIssued: std.get(ctx.flow, 'issued_at', null),
      sameDay: std.startsWith(std.get(ctx.flow, 'issued_at', ''), date),
    },
  }
