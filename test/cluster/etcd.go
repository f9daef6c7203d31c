package main

import (
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// etcdServer is etcd embedded in the supervisor process.
type etcdServer struct {
	e *embed.Etcd
}

func startEtcd(dataDir, logFile string, clientPort, peerPort int) (*etcdServer, error) {
	cfg := embed.NewConfig()
	cfg.Name = "kwb"
	cfg.Dir = dataDir
	cu, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", clientPort))
	pu, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", peerPort))
	cfg.ListenClientUrls = []url.URL{*cu}
	cfg.AdvertiseClientUrls = []url.URL{*cu}
	cfg.ListenPeerUrls = []url.URL{*pu}
	cfg.AdvertisePeerUrls = []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{logFile}
	// A throw-away test cluster: durability is not needed, speed is.
	cfg.UnsafeNoFsync = true
	cfg.QuotaBackendBytes = 8 * 1024 * 1024 * 1024
	cfg.SnapshotCount = 10000
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		return nil, fmt.Errorf("etcd did not become ready in 60s (log: %s)", logFile)
	}
	return &etcdServer{e: e}, nil
}

func (s *etcdServer) errc() <-chan error { return s.e.Err() }

func (s *etcdServer) stop() {
	s.e.Close()
	select {
	case <-s.e.Server.StopNotify():
	case <-time.After(10 * time.Second):
	}
}
