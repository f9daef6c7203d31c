package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// runWithControllingTTY is the "ctty" subcommand: `kwb-cluster ctty -- CMD
// ARGS...` starts a new session, makes its stdin (the exec's pseudo-terminal)
// the session's controlling terminal and replaces itself with CMD.
//
// Why: kwok v0.8.0 runs a TTY exec's command with the pty as stdin/stdout but
// in kwok's own session, so the pty has no foreground process group: Ctrl-C
// (0x03) is echoed as ^C and delivered to nobody, and closing the session
// sends no SIGHUP. A container runtime (runc) does setsid + TIOCSCTTY before
// exec; this does the same, so Ctrl-C interrupts and job control works.
func runWithControllingTTY(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: kwb-cluster ctty -- COMMAND [ARGS...]")
		return 2
	}
	if _, err := syscall.Setsid(); err != nil {
		fmt.Fprintf(os.Stderr, "kwb-cluster ctty: setsid: %v\n", err)
		return 126
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, 0, uintptr(syscall.TIOCSCTTY), 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "kwb-cluster ctty: stdin is not a terminal: %v\n", errno)
		return 126
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		// What a shell says, with a shell's code for "command not found".
		fmt.Fprintf(os.Stderr, "%s: %v\n", args[0], err)
		return 127
	}
	err = syscall.Exec(path, args, os.Environ())
	fmt.Fprintf(os.Stderr, "%s: %v\n", args[0], err)
	return 126
}
