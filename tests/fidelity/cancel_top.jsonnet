// A template that cancels whatever the ctx: every hook is skipped.
error 'cancel'
