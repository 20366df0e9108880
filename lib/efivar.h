/* SPDX-License-Identifier: MIT */
/* EFI variables as efivarfs shows them: 4 bytes of attributes, then the value. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The Boot Loader Interface's vendor GUID: systemd-boot and systemd-stub set their variables
 * (LoaderDevicePartUUID, ...) under it. */
#define EFIVAR_LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define EFIVAR_LOADER_DEVICE_PART_UUID "LoaderDevicePartUUID-" EFIVAR_LOADER_GUID

/* Parses an efivarfs file holding a UUID as a UTF-16LE string (LoaderDevicePartUUID: the PARTUUID
 * of the partition the boot loader or stub was read from, 36 characters of either case, with or
 * without a NUL after them). Writes the UUID in lowercase into out. Returns 0, or -EBADMSG for
 * anything else: too short, an odd length, a unit outside ASCII, not one UUID, bytes after the
 * NUL. The variable is not authenticated: it says which disk to look at, never what to trust. */
int efivar_parse_uuid(const uint8_t *buf, size_t len, char out[37]);
