"""Workloads: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, the claims a StatefulSet
makes, and the garbage collector that cleans up after their owners.

Importing the package registers the kinds (apps/v1 and the legacy extensions/v1beta1,
apps/v1beta1 and apps/v1beta2 with the API server's deprecation warnings; batch/v1 Job and CronJob;
core/v1 PersistentVolumeClaim and PersistentVolume; storage.k8s.io/v1 StorageClass), their
printers and the `scale` / `setImage` / `rolloutRestart` / `rolloutUndo` scenario steps. `CONTROLLERS` lists the controllers
the cluster starts, one file each.
"""

from __future__ import annotations

from engine.workloads import cronjob_kind as _cronjob_kind
from engine.workloads import describe as _describe
from engine.workloads import kinds as _kinds
from engine.workloads import printers as _printers
from engine.workloads.actions import register_steps as _register_steps
from engine.workloads.cronjob import CronJobController
from engine.workloads.daemonset import DaemonSetController
from engine.workloads.deployment import DeploymentController
from engine.workloads.garbagecollector import GarbageCollector
from engine.workloads.index import workload_index
from engine.workloads.job import JobController
from engine.workloads.replicaset import ReplicaSetController
from engine.workloads.statefulset import StatefulSetController
from engine.workloads.strategy import RegistryStrategy
from engine.workloads.ttlafterfinished import TTLAfterFinishedController
from engine.workloads.volumes import DefaultStorageClass, PersistentVolumeController

_kinds.register()
_cronjob_kind.register()
_printers.register()
_describe.register()
_register_steps()

# (name, factory(cluster)), started in this order after the core controllers. The owner
# index subscribes first so every controller reads an index that is already up to date.
CONTROLLERS = [
    ("workload-owner-index", workload_index),
    ("garbage-collector", GarbageCollector),
    ("replicaset", ReplicaSetController),
    ("deployment", DeploymentController),
    ("statefulset", StatefulSetController),
    ("daemonset", DaemonSetController),
    ("job", JobController),
    ("cronjob", CronJobController),
    ("ttl-after-finished", TTLAfterFinishedController),
    ("persistentvolume-binder", PersistentVolumeController),
]

ADMISSION_PLUGINS = [RegistryStrategy, DefaultStorageClass]

__all__ = [
    "ADMISSION_PLUGINS",
    "CONTROLLERS",
    "CronJobController",
    "DaemonSetController",
    "DeploymentController",
    "GarbageCollector",
    "JobController",
    "PersistentVolumeController",
    "ReplicaSetController",
    "StatefulSetController",
    "TTLAfterFinishedController",
]
