package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
)

// runPortForwardHTTP is started by kwok for every port-forward connection to
// a pod (kwok PortForward "command" target): the forwarded TCP stream is its
// stdin/stdout. It answers one HTTP request with the pod it stands for.
// args: <namespace> <pod>
func runPortForwardHTTP(args []string) int {
	ns, pod := "", ""
	if len(args) >= 2 {
		ns, pod = args[0], args[1]
	}
	r := bufio.NewReader(os.Stdin)
	req, err := http.ReadRequest(r)
	body := fmt.Sprintf("hello from pod %s/%s\n", ns, pod)
	status := "200 OK"
	if err != nil {
		status = "400 Bad Request"
		body = "bad request\n"
	} else if req.URL.Path == "/healthz" {
		body = "ok\n"
	}
	fmt.Fprintf(os.Stdout, "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\nX-Kwb-Pod: %s/%s\r\n\r\n%s", status, len(body), ns, pod, body)
	return 0
}
