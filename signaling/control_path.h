/* Where signald's control socket is when the configuration names none and systemd gave no
 * runtime folder, and where tandemctl looks first ([control] socket). */
#ifndef SIGNALD_CONTROL_PATH_H
#define SIGNALD_CONTROL_PATH_H

#define SIGNALD_CONTROL_DEFAULT "/run/tandem/signald/control.sock"

#endif
