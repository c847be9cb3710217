# Exit without setting r0.
# type: socket_filter
exit
