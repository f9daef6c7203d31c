// Command kwb-cluster runs a local Kubernetes control plane for the Kube
// Workbench tests, benchmarks and demo: embedded etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (fake nodes).
//
// It is a multi-call binary: without a subcommand (or with "up") it is the
// supervisor; the supervisor starts itself again as "apiserver",
// "controller-manager", "scheduler" and "kwok" child processes.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	sub := ""
	if len(os.Args) > 1 {
		sub = os.Args[1]
	}
	var cmd *cobra.Command
	switch sub {
	case "apiserver":
		cmd = apiserver.NewAPIServerCommand()
	case "controller-manager":
		cmd = controllermanager.NewControllerManagerCommand()
	case "scheduler":
		cmd = scheduler.NewSchedulerCommand()
	case "kwok":
		os.Exit(runKwok(os.Args[2:]))
	case "pf-http":
		os.Exit(runPortForwardHTTP(os.Args[2:]))
	case "ctty":
		os.Exit(runWithControllingTTY(os.Args[2:]))
	case "up":
		os.Exit(runSupervisor(os.Args[2:]))
	case "help", "-h", "--help":
		fmt.Println("usage: kwb-cluster [up] [--kubeconfig PATH] [--nodes N] [--pods N] [--seed] [--keep-data] [--verbose]")
		fmt.Println("       kwb-cluster apiserver|controller-manager|scheduler|kwok [component flags]  (used internally)")
		os.Exit(0)
	default:
		os.Exit(runSupervisor(os.Args[1:]))
	}
	cmd.SetArgs(os.Args[2:])
	os.Exit(cli.Run(cmd))
}
