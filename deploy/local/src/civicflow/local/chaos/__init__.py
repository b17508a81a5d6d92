"""`make chaos`: a steady stream of applications while each component is crashed or stopped in turn, then
every accepted application counted by its submission id on the agency topics, in the mailbox and in its
status timeline."""
