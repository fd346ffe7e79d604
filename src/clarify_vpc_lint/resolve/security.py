"""Security-group reachability: does some rule of a set of groups admit a port from/to a peer?"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

from .. import ec2
from ..logic import Fact, all_of, any_of
from ..model import Permission, SecurityGroup, existence
from ..values import Unknown
from .index import Index, display


class SecurityGroups:
    def __init__(self, index: Index) -> None:
        self.index = index

    def group(self, ref: Any) -> Any:
        entity = self.index.find(ref)
        if isinstance(entity, SecurityGroup):
            return entity
        return self.index.missing(ref, "security group", "describe-security-groups")

    def permissions(self, group: SecurityGroup, direction: str) -> List[Permission]:
        own = group.ingress if direction == "ingress" else group.egress
        extra = [
            rule.permission
            for rule in self.index.rules_by_group.get(id(group), [])
            if rule.direction == direction
        ]
        return own + extra

    def _peer_matches(self, peer: tuple, groups: List[Any], cidrs: Any) -> Fact:
        kind, value = peer
        if isinstance(value, Unknown) or kind == "unknown":
            return value if isinstance(value, Unknown) else Unknown("a rule's peer is not known")
        if kind == "sg":
            entity = self.index.find(value)
            if entity is None:
                return Unknown(f"the rule's source group {display(value, self.index)} is not known")
            # the peer must be one of the job's groups; a job group that is unknown may be it
            return any_of(g if isinstance(g, Unknown) else g is entity for g in groups)
        if kind == "cidr":
            return ec2.cidr_covers(value, cidrs)
        if kind == "prefix-list":
            return Unknown(f"the CIDR blocks of prefix list {value} are not in the inputs")
        return False  # IPv6 ranges do not carry the job's IPv4 traffic

    def rules_admit(
        self,
        group_refs: Any,
        direction: str,
        port: Optional[int],
        peers_of: Any = None,
        protocol: Tuple[str, ...] = ec2.TCP,
    ) -> Fact:
        """Does some group's rule admit ``port`` (None: all traffic) of ``protocol`` (TCP unless
        given) from/to ``peers_of``?

        ``peers_of`` is (groups, subnet CIDRs) that the peer must be or cover; None accepts any peer.
        """
        if peers_of is None:
            return self.admits(group_refs, direction, port, None, protocol)
        return self.admits(
            group_refs,
            direction,
            port,
            lambda peer: self._peer_matches(peer, *peers_of),
            protocol,
        )

    def admits(
        self,
        group_refs: Any,
        direction: str,
        port: Optional[int],
        peer_test: Optional[Callable[[tuple], Fact]],
        protocol: Tuple[str, ...] = ec2.TCP,
    ) -> Fact:
        """Does some group's rule admit ``port`` from/to a peer that ``peer_test`` accepts (None:
        any peer)?"""
        if isinstance(group_refs, Unknown):
            return group_refs
        results: List[Fact] = []
        for ref in group_refs:
            group = self.group(ref)
            if isinstance(group, Unknown):
                results.append(group)
                continue
            for permission in self.permissions(group, direction):
                covered = ec2.covers_port(permission, port, protocol)
                if peer_test is None:
                    peer = bool(permission.peers)
                else:
                    peer = any_of(peer_test(p) for p in permission.peers)
                result = all_of([covered, peer])
                if result is True and permission.conditional is not False:
                    result = existence(permission.conditional, f"a rule of {group.loc.resource}")
                results.append(result)
        return any_of(results)


# ---------------------------------------------------------------------------------------------------
