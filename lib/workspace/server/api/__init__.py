"""HTTP layer of the control plane: dependencies and one router per resource."""
