# Sourced by run-gpu-bench.sh and device-check.sh: makes Dawn find the NVIDIA GPU through Vulkan.
# Expects HERE (the bundle or scripts/gpu folder), RESULTS (the results folder) and a `note`
# function that logs a line. setup_vulkan exports LD_LIBRARY_PATH, VK_ICD_FILENAMES and
# VK_DRIVER_FILES as needed; it is idempotent, so a script it calls may run it again.

has_system_lib() {
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q "$1 "; then return 0; fi
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do [ -e "$d/$1" ] && return 0; done
  return 1
}

# Dawn needs the Vulkan loader and a driver manifest (ICD) naming the NVIDIA driver's library.
setup_vulkan() {
  # NVIDIA's Vulkan ICD (libGLX_nvidia.so.0) needs glvnd; without it the loader says "Could not
  # get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'". Seen on an H200 container: webgpu
  # worked only after these packages were unpacked into / (a bundled libGLdispatch.so.0 on
  # LD_LIBRARY_PATH was not enough).
  if ! has_system_lib libGLdispatch.so.0 && ls "$HERE"/gl-debs/*.deb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && [ "${INSTALL_GL:-1}" = 1 ]; then
      for deb in "$HERE"/gl-debs/*.deb; do dpkg-deb -x "$deb" / || note "could not unpack $deb"; done
      ldconfig 2>/dev/null || true
      note "glvnd: unpacked the bundled $(ls "$HERE"/gl-debs | tr '\n' ' ')into / (INSTALL_GL=0 to skip)"
    else
      note "glvnd: libGLdispatch.so.0 missing; as root, unpack $HERE/gl-debs/*.deb into / (dpkg-deb -x) and run ldconfig"
    fi
  fi
  if has_system_lib libvulkan.so.1; then
    note "vulkan loader: the system's libvulkan.so.1"
  elif [ -e "$HERE/vulkan/libvulkan.so.1" ]; then
    export LD_LIBRARY_PATH="$HERE/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    note "vulkan loader: bundled $HERE/vulkan/libvulkan.so.1"
  else
    note "vulkan loader: none (install libvulkan1); webgpu will be unavailable"
  fi
  if [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
    note "vulkan ICD: as set by the caller (${VK_DRIVER_FILES:-$VK_ICD_FILENAMES})"
    return
  fi
  local icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
    /usr/local/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
    if [ -f "$f" ]; then icd="$f"; break; fi
  done
  if [ -z "$icd" ] && has_system_lib libGLX_nvidia.so.0; then
    # Containers often get the driver's libraries without its Vulkan manifest; the manifest only
    # names the library that implements the ICD (libGLX_nvidia.so.0 in NVIDIA's own packaging).
    icd="$RESULTS/nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' >"$icd"
    note "vulkan ICD: no nvidia_icd.json found; wrote $icd for libGLX_nvidia.so.0"
  fi
  if [ -n "$icd" ]; then
    # Only the NVIDIA ICD, so a software driver (lavapipe) cannot be picked instead.
    export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"
    note "vulkan ICD: $icd"
  else
    note "vulkan ICD: no NVIDIA ICD found (nvidia_icd.json or libGLX_nvidia.so.0); the loader uses whatever is installed"
  fi
}
